using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.CredentialManagement;
using Amazon.S3;
using Pipeline.Core;
using Pipeline.Remotes.Configuration;

namespace Pipeline.Remotes.S3;

/// <summary>Builds the SDK client for a remote: endpoint, addressing, region and where the credentials come from.</summary>
internal static class S3ClientFactory
{
    public static AmazonS3Client Create(RemoteDefinition remote, S3Settings settings)
    {
        var config = new AmazonS3Config
        {
            ForcePathStyle = settings.PathStyle,

            // Retries are the transfer engine's (RetryPolicy), so that every remote retries the same way and the
            // delays do not multiply.
            MaxErrorRetry = 0,
            Timeout = TimeSpan.FromMinutes(5),
            ConnectTimeout = TimeSpan.FromSeconds(10),
        };
        if (!settings.ChunkedUploads)
        {
            // Checksums only where the API requires them: no trailing checksum, which some servers refuse.
            config.RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED;
            config.ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED;
        }

        if (settings.Endpoint is { } endpoint)
        {
            config.ServiceURL = endpoint;
            config.AuthenticationRegion = settings.Region ?? "us-east-1";
        }
        else if (settings.Region is { } region)
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(region);
        }

        return Credentials(remote, settings) is { } credentials ? new AmazonS3Client(credentials, config) : new AmazonS3Client(config);
    }

    // Null means the SDK's own chain: environment variables, AWS_PROFILE, the shared files, SSO, instance roles.
    private static AWSCredentials? Credentials(RemoteDefinition remote, S3Settings settings)
    {
        switch (settings)
        {
            case { AccessKeyId: { } keyId, SecretAccessKey: { } secret }:
                return new BasicAWSCredentials(keyId, secret);
            case { Profile: { } profile }:
                return new CredentialProfileStoreChain().TryGetAWSCredentials(profile, out var found)
                    ? found
                    : throw new PipelineException($"{RemoteConfigFile.LocalFileName}: remotes.{remote.Name}.profile: no AWS profile named '{profile}' in the shared credentials files");
            default:
                return null;
        }
    }
}
